export {};
//# sourceMappingURL=crash.spec.d.ts.map