/**
 * The word-level causal transformer language model ({@value
 * org.lethe.models.transformer.WordTransformerArchitecture#NAME}) and its training recipe
 * ({@link org.lethe.models.transformer.FactsTraining}): the model of the facts world
 * (research/methods-llm.md §3.2). With the default sizes it memorises a full TinyFacts training
 * set (1,800 sequences) to 100% exact match in about 350 steps, a few seconds on one CPU thread.
 *
 * <p>Architecture: GPT-style pre-LayerNorm decoder blocks over a word vocabulary, causal
 * self-attention, learned positional embeddings, exact GELU feed-forward, a final LayerNorm, and
 * the output layer tied to the token embedding; no dropout. Conventions are those of
 * {@code tiny-lm}: the same tokenizer rules and markers, a sequence is
 * {@code prompt <sep> answer <eos>}, the answer mask covers the answer and the end marker, and the
 * logits at position {@code t} predict token {@code t} from the tokens before it (the block shifts
 * its input right by one, with {@code <pad>} as the start token).
 *
 * <p>Parameter names (the keys of the safetensors file, and what a method selects by) are DJL's
 * block paths, children numbered from 01 in order: {@code tokenEmbedding},
 * {@code positionEmbedding}; for decoder block {@code i} (from 0) the prefix
 * {@code <i+1, two digits>layer<i>_}, then {@code 01attentionNorm_gamma|beta},
 * {@code 02attention_01query_weight|bias}, {@code 02attention_02key_…},
 * {@code 02attention_03value_…}, {@code 02attention_04output_…}, {@code 03ffnNorm_gamma|beta},
 * {@code 04ffnIn_weight|bias}, {@code 05ffnOut_weight|bias}; last {@code <layers+1>finalNorm_gamma|beta}.
 * For example {@code 01layer0_02attention_01query_weight} (shape (dModel, dModel), DJL's
 * out × in). There is no separate output matrix.
 */
package org.lethe.models.transformer;
