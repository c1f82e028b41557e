package org.lethe.worlds.shapes;

import java.util.List;
import java.util.Objects;

/**
 * An erasure the evaluation runs: the concepts to erase and the concepts that must stay
 * (methods-gen.md §8: Acc_e on the erased, Acc_p on the preserved; multi-concept interference with
 * 1, 3 and 6 concepts erased together).
 *
 * @param name the task's name: the concept's name for a single erasure, {@code multi3} or
 *     {@code multi6}; names the preserve prompt split {@code preserve_<name>}
 * @param erase the concepts to erase (not empty)
 * @param preserve every other concept of the world (not empty; every attribute keeps at least one)
 * @param neighbours preserved concepts close to an erased one (a colour's hue neighbours): the
 *     hardest part of the preserve set; may be empty
 */
public record ErasureTask(String name, List<String> erase, List<String> preserve, List<String> neighbours) {

    /** Copies the lists; rejects an empty erase or preserve set and an overlap. */
    public ErasureTask {
        Objects.requireNonNull(name, "name");
        erase = List.copyOf(erase);
        preserve = List.copyOf(preserve);
        neighbours = List.copyOf(neighbours);
        if (erase.isEmpty()) {
            throw new IllegalArgumentException("task " + name + ": nothing to erase");
        }
        if (preserve.isEmpty()) {
            throw new IllegalArgumentException("task " + name + ": the preserve set is empty");
        }
        for (String e : erase) {
            if (preserve.contains(e)) {
                throw new IllegalArgumentException("task " + name + ": '" + e + "' is both erased and preserved");
            }
        }
    }
}
