/** Options of the policy-rule generator, as schema.json declares them. */
export interface PolicyRuleGeneratorSchema {
  name: string;
  category?: string;
  id?: string;
  title?: string;
  severity?: string;
  kind?: string;
  label?: string;
  reason?: string;
  fix?: string;
}
