import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CoarseAbstraction } from "./coarse-abstraction.js";

const SIZE = 11;
const cell = (row: number, column: number) => row * SIZE + column;
const features = (state: number) => [(Math.floor(state / SIZE) + 1) / SIZE, ((state % SIZE) + 1) / SIZE];
const abstraction = () => new CoarseAbstraction({ maxStates: SIZE * SIZE, features, radius: CoarseAbstraction.radiusForGrid(SIZE) });

describe("CoarseAbstraction (§3.3)", () => {
  it("merges orthogonal pairs, never diagonals, and never exceeds two cells", () => {
    const coarse = abstraction();
    expect(coarse.assign(cell(5, 5))).toBe(0);
    expect(coarse.assign(cell(5, 6))).toBe(0); // east neighbour joins
    expect(coarse.assign(cell(4, 5))).toBe(1); // orthogonal to (5,5) but that cluster is full
    expect(coarse.assign(cell(3, 6))).toBe(2); // diagonal to (4,5) only: never merges
    expect(coarse.assign(cell(3, 5))).toBe(1); // north of (4,5): joins it (first, and nearest)
    expect(coarse.assign(cell(2, 6))).toBe(2); // north of (3,6)
    expect(coarse.assign(cell(5, 6))).toBe(0); // already assigned: unchanged
    expect(coarse.clusters()).toEqual([[cell(5, 5), cell(5, 6)], [cell(4, 5), cell(3, 5)], [cell(3, 6), cell(2, 6)]]);
  });

  it("uses the spec's radii: 0.1 on 11×11 and 0.08 on 13×13, between 1/n and √2/n", () => {
    expect(CoarseAbstraction.radiusForGrid(11)).toBe(0.1);
    expect(CoarseAbstraction.radiusForGrid(13)).toBe(0.08);
    for (const size of [11, 13, 15]) {
      const radius = CoarseAbstraction.radiusForGrid(size);
      expect(1 / size < radius && radius < Math.SQRT2 / size).toBe(true);
    }
  });

  it("keeps clusters of at most two orthogonal neighbours for any visiting order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: SIZE * SIZE - 1 }), { maxLength: 300 }), (visits) => {
        const coarse = abstraction();
        for (const state of visits) coarse.assign(state);
        for (const members of coarse.clusters()) {
          expect(members.length).toBeGreaterThanOrEqual(1);
          expect(members.length).toBeLessThanOrEqual(2);
          if (members.length === 2) {
            const [a, b] = members as [number, number];
            const manhattan = Math.abs(Math.floor(a / SIZE) - Math.floor(b / SIZE)) + Math.abs((a % SIZE) - (b % SIZE));
            expect(manhattan).toBe(1);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it("forgets everything on reset", () => {
    const coarse = abstraction();
    coarse.assign(cell(1, 1));
    coarse.reset();
    expect(coarse.abstractStateOf(cell(1, 1))).toBe(-1);
    expect(coarse.abstractStateCount).toBe(0);
    expect(() => coarse.assign(SIZE * SIZE)).toThrow(/^state must be/);
  });
});
