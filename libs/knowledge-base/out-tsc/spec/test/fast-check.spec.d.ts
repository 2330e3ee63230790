export {};
//# sourceMappingURL=fast-check.spec.d.ts.map