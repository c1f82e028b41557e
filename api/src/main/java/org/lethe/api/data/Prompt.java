package org.lethe.api.data;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A generation prompt with what it asks for, one line of a prompt JSONL file: the evaluation data of
 * text-to-image erasure (research/methods-gen.md §8), where a sample of the prompt is judged by a
 * classifier against {@link #labels()}.
 *
 * @param id a stable id, unique in its file (the line number when the file gives none)
 * @param prompt the prompt's text, required
 * @param labels what the prompt asks for, attribute → value (e.g. {@code colour → red}); the
 *     ground truth a classifier's heads are compared with; may be empty
 * @param seed the sampler seed of this prompt's sample, so that rows with the same seed differ only in
 *     their words (same start noise); empty when the evaluation picks one
 * @since 1.1
 */
public record Prompt(String id, String prompt, Map<String, String> labels, OptionalLong seed) {

    /** Rejects missing fields and copies the labels. */
    public Prompt {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(seed, "seed");
    }
}
