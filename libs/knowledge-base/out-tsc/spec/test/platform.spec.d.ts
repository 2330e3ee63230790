export {};
//# sourceMappingURL=platform.spec.d.ts.map