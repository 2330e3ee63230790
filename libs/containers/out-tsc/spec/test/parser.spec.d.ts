export {};
//# sourceMappingURL=parser.spec.d.ts.map