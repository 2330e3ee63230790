export {};
//# sourceMappingURL=index.spec.d.ts.map