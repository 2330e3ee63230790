export {};
//# sourceMappingURL=lint-rules.spec.d.ts.map