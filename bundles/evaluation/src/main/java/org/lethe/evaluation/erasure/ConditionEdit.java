package org.lethe.evaluation.erasure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.lethe.api.model.diffusion.DiffusionModel;

/**
 * How the condition of a batch of evaluation prompts is made when it is not the prompts' plain
 * encoding: a perturbed concept embedding ({@link EmbeddingPerturbation}), a learned one (the
 * concept-inversion probe). {@link ClassifiedSampler} keeps the samples of an edited condition under
 * the edit itself ({@code equals}/{@code hashCode}) and the prompt's id.
 */
public interface ConditionEdit {

    /**
     * @param model the text-to-image model
     * @param texts the batch's prompts
     * @param promptIds their ids, in the same order
     * @param scope where the result lives (closed with the batch)
     * @return the condition, shaped like {@link DiffusionModel#encode}'s output for the texts
     */
    NDArray condition(DiffusionModel model, List<String> texts, List<String> promptIds, NDManager scope);
}
