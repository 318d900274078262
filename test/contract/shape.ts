// The "shape" of a JSON value: its key sets and value types, recursively, so
// that two answers from different worlds (other IDs, other timestamps) can be
// compared. Arrays become the sorted set of their distinct element shapes.
// Keys that are Matrix IDs (!room, @user, $event, #alias) are collapsed into
// one placeholder key per sigil, whose value is the one shape they share or a
// {"<one of>": [...]} set when they differ.
export type Shape = string | Shape[] | { [key: string]: Shape };

const sortedUnique = (shapes: Shape[]): Shape[] => {
  const byJson = new Map<string, Shape>();
  for (const s of shapes) byJson.set(JSON.stringify(s), s);
  return [...byJson.keys()].sort().map((k) => byJson.get(k) as Shape);
};

function normalizeKey(key: string): string {
  return /^[!@$#]./.test(key) ? `${key[0]}<id>` : key;
}

export function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return sortedUnique(value.map(shapeOf));
  if (typeof value === 'object') {
    const groups = new Map<string, Shape[]>();
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const k = normalizeKey(key);
      groups.set(k, [...(groups.get(k) ?? []), shapeOf(v)]);
    }
    const out: Record<string, Shape> = {};
    for (const k of [...groups.keys()].sort()) {
      const distinct = sortedUnique(groups.get(k) ?? []);
      out[k] = distinct.length === 1 ? (distinct[0] as Shape) : { '<one of>': distinct };
    }
    return out;
  }
  return typeof value;
}
