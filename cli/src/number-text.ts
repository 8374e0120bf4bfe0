/** Checking numbers typed on the command line (shared by every flag parser). */

export interface NumberRule {
  int?: boolean;
  min?: number;
  max?: number;
  /** The bound `min` itself is not allowed. */
  exclusiveMin?: boolean;
}

/** The decimal number `text` spells (no empty string, hex or Infinity) if it obeys `rule`, else undefined. */
export function checkNumber(text: string, rule: NumberRule = {}): number | undefined {
  const x = Number(text);
  if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) || !Number.isFinite(x)) return undefined;
  if (rule.int && !Number.isInteger(x)) return undefined;
  if (rule.min !== undefined && (rule.exclusiveMin ? x <= rule.min : x < rule.min)) return undefined;
  if (rule.max !== undefined && x > rule.max) return undefined;
  return x;
}
