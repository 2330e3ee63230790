export {};
//# sourceMappingURL=tasks.spec.d.ts.map