export {};
//# sourceMappingURL=bad-input.spec.d.ts.map