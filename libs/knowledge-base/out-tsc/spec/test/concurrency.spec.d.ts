export {};
//# sourceMappingURL=concurrency.spec.d.ts.map