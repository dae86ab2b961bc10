/**
 * Tables of the ziggurat method for standard normal deviates (Marsaglia & Tsang, "The Ziggurat Method for
 * Generating Random Variables", J. Stat. Software 5(8), 2000), with 128 strips. About 99% of draws take one
 * 32-bit integer, one table comparison and one multiply; the rest fall back to exact rejection sampling.
 */
export const ZIGGURAT_STRIPS = 128;
/** Where the tail begins: r of the paper for 128 strips. */
export const ZIGGURAT_TAIL_START = 3.442619855899;
const STRIP_AREA = 9.91256303526217e-3;
const TWO_POW_31 = 2147483648;

/** kn: integer thresholds under which a draw lies wholly inside its strip. */
export const zigguratThresholds = new Float64Array(ZIGGURAT_STRIPS);
/** wn: scale from the signed 32-bit draw to x. */
export const zigguratWidths = new Float64Array(ZIGGURAT_STRIPS);
/** fn: the density exp(−x²/2) at each strip's edge. */
export const zigguratDensities = new Float64Array(ZIGGURAT_STRIPS);

{
  let edge = ZIGGURAT_TAIL_START;
  let previousEdge = edge;
  const base = STRIP_AREA / Math.exp(-0.5 * edge * edge);
  zigguratThresholds[0] = (edge / base) * TWO_POW_31;
  zigguratThresholds[1] = 0;
  zigguratWidths[0] = base / TWO_POW_31;
  zigguratWidths[ZIGGURAT_STRIPS - 1] = edge / TWO_POW_31;
  zigguratDensities[0] = 1;
  zigguratDensities[ZIGGURAT_STRIPS - 1] = Math.exp(-0.5 * edge * edge);
  for (let strip = ZIGGURAT_STRIPS - 2; strip >= 1; strip--) {
    edge = Math.sqrt(-2 * Math.log(STRIP_AREA / edge + Math.exp(-0.5 * edge * edge)));
    zigguratThresholds[strip + 1] = (edge / previousEdge) * TWO_POW_31;
    previousEdge = edge;
    zigguratDensities[strip] = Math.exp(-0.5 * edge * edge);
    zigguratWidths[strip] = edge / TWO_POW_31;
  }
}
