/**
 * Exact decimal arithmetic for the numbers written into PromQL: objectives, budgets, thresholds.
 * Binary floats turn 100 − 99.9 into 0.09999999999999432 and 14.4 × 0.001 into 0.014400000000000001;
 * a BigInt mantissa with a decimal scale never does.
 */
export class Decimal {
  private constructor(
    private readonly mantissa: bigint,
    private readonly scale: number,
  ) {}

  /** From a JS number, read through its shortest decimal spelling ("99.9", not its binary value). */
  static of(value: number | string): Decimal {
    const text = typeof value === 'number' ? numberText(value) : value;
    const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
    if (!match) throw new Error(`not a finite decimal number: ${JSON.stringify(text)}`);
    const [, sign, whole, fraction = ''] = match;
    const mantissa = BigInt(`${whole}${fraction}`);
    return new Decimal(sign === '-' ? -mantissa : mantissa, fraction.length).normalized();
  }

  plus(other: Decimal | number): Decimal {
    const o = toDecimal(other);
    const scale = Math.max(this.scale, o.scale);
    return new Decimal(this.scaledTo(scale) + o.scaledTo(scale), scale).normalized();
  }

  minus(other: Decimal | number): Decimal {
    return this.plus(toDecimal(other).negated());
  }

  times(other: Decimal | number): Decimal {
    const o = toDecimal(other);
    return new Decimal(this.mantissa * o.mantissa, this.scale + o.scale).normalized();
  }

  /** Divides by 10^exponent, exactly (percent → ratio, milliseconds → seconds). */
  shiftLeft(exponent: number): Decimal {
    return new Decimal(this.mantissa, this.scale + exponent).normalized();
  }

  /**
   * Division rounded to `digits` significant digits (only for prose such as "the budget lasts 2.08 days";
   * never for thresholds, which stay exact).
   */
  dividedBy(other: Decimal | number, digits = 12): Decimal {
    const o = toDecimal(other);
    if (o.mantissa === 0n) throw new Error('division by zero');
    const quotient = this.toNumber() / o.toNumber();
    return Decimal.of(Number(quotient.toPrecision(digits)));
  }

  negated(): Decimal {
    return new Decimal(-this.mantissa, this.scale);
  }

  compare(other: Decimal | number): -1 | 0 | 1 {
    const o = toDecimal(other);
    const scale = Math.max(this.scale, o.scale);
    const a = this.scaledTo(scale);
    const b = o.scaledTo(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  toNumber(): number {
    return Number(this.toString());
  }

  /** Plain positional notation, never an exponent, no trailing zeros: "0.0144", "14.4", "1". */
  toString(): string {
    const negative = this.mantissa < 0n;
    const digits = (negative ? -this.mantissa : this.mantissa).toString();
    if (this.scale === 0) return `${negative ? '-' : ''}${digits}`;
    const padded = digits.padStart(this.scale + 1, '0');
    const whole = padded.slice(0, padded.length - this.scale);
    const fraction = padded.slice(padded.length - this.scale);
    return `${negative ? '-' : ''}${whole}.${fraction}`;
  }

  private scaledTo(scale: number): bigint {
    return this.mantissa * 10n ** BigInt(scale - this.scale);
  }

  private normalized(): Decimal {
    let { mantissa, scale } = this;
    while (scale > 0 && mantissa % 10n === 0n) {
      mantissa /= 10n;
      scale -= 1;
    }
    if (scale < 0) {
      mantissa *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return mantissa === this.mantissa && scale === this.scale ? this : new Decimal(mantissa, scale);
  }
}

function toDecimal(value: Decimal | number): Decimal {
  return value instanceof Decimal ? value : Decimal.of(value);
}

/** A number's shortest round-tripping spelling, expanded out of exponent notation. */
function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  const text = String(value);
  const exp = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!exp) return text;
  const [, sign, lead, rest = '', power] = exp;
  const digits = `${lead}${rest}`;
  const shift = Number(power) - rest.length;
  if (shift >= 0) return `${sign}${digits}${'0'.repeat(shift)}`;
  const scale = -shift;
  const padded = digits.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}

/** Decimal-safe spelling of a number for PromQL and YAML: `formatNumber(0.1 + 0.2)` is "0.3". */
export function formatNumber(value: number | Decimal, significantDigits = 15): string {
  if (value instanceof Decimal) return value.toString();
  return Decimal.of(Number(value.toPrecision(significantDigits))).toString();
}
