export {};
//# sourceMappingURL=cli.spec.d.ts.map