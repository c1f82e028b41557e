/**
 * The data of the {@code shapes} world (research/methods-gen.md Part B §6 and §8): procedural
 * 16×16 RGB images of a coloured shape on a textured background (6 colours × 4 shapes × 3
 * textures), jittered in position, size and colour, with ground-truth labels and silhouette masks;
 * prompts ({@code small crimson ball on stripes}) with per-concept aliases, of which one per concept
 * is held out of every erasure input for the generality metric; layout context words; the
 * prompt-dropout rates of classifier-free guidance; a classifier set rendered from other seeds;
 * evaluation prompts per concept and erase/preserve tasks.
 *
 * <p>{@link org.lethe.worlds.shapes.ShapesGenerator} builds a
 * {@link org.lethe.worlds.shapes.ShapesWorld} from a seed;
 * {@link org.lethe.worlds.shapes.ShapesCorpusWriter} writes it as a folder;
 * {@link org.lethe.worlds.shapes.ShapesImageFiles} reads and writes its image files and reads a
 * user's concept image set. {@link org.lethe.worlds.shapes.ShapesWorldService}
 * ({@code lethe.world=shapes}) writes the world and trains {@code shapes-clf}
 * ({@link org.lethe.worlds.shapes.ShapesClassifierTraining}, ground-truth images only) and
 * {@code shapes-t2i}, then runs the sanity gate ({@link org.lethe.worlds.shapes.ShapesSanityGate}).
 */
package org.lethe.worlds.shapes;
