export {};
//# sourceMappingURL=workflows.spec.d.ts.map