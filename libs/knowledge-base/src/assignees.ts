/** Several agents can share one `assigned_to` text ("Frontend Agent + TestSprite Agent"). */

/** The individual agent names in an `assigned_to` text, as written. */
export function splitAssignees(text: string | null | undefined): string[] {
  if (!text) return [];
  return text
    .split(/\s*(?:\+|,|&|\/(?=\s))\s*/i)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Normalised agent name for comparison: case-insensitive, optional trailing "Agent". */
export function agentKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/ agent$/, '');
}

export function sameAgent(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && agentKey(a) === agentKey(b);
}

export function isAssignee(assignedTo: string | null | undefined, agent: string): boolean {
  return splitAssignees(assignedTo).some((name) => sameAgent(name, agent));
}
