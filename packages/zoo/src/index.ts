export { ZOO_ENTRIES, ZOO_NAMES, zooEntry, zooPolicyPath, zooPolicyUrl } from "./zoo.js";
export type { ZooEntry, ZooManifest, ZooScore, ZooTraining } from "./entry.js";
