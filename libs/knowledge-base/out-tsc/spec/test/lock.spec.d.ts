export {};
//# sourceMappingURL=lock.spec.d.ts.map