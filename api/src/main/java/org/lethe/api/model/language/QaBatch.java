package org.lethe.api.model.language;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * Prompt–answer pairs tokenised for a language model.
 *
 * @param tokens int64 array (batch, length): the token ids of prompt then answer, right-padded
 * @param answerMask float32 array (batch, length): 1 at the positions of the answer's tokens (and of
 *     the end marker, where the model has one), 0 elsewhere
 * @param size the number of pairs (the batch dimension)
 */
public record QaBatch(NDArray tokens, NDArray answerMask, int size) {

    /** Rejects missing arrays. */
    public QaBatch {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(answerMask, "answerMask");
    }
}
