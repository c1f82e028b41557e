/**
 * The vision-language transformer ({@value org.lethe.models.vision.VisionLanguageArchitecture#NAME}):
 * the tiny visual question-answering model of research/methods-gen.md Part B §7, behind the
 * {@link org.lethe.api.model.vision.VisionLanguageModel} view.
 *
 * <p><b>Network.</b> Images (3 × 16 × 16, values in [−1, 1]) go through {@code encoder.conv.0}
 * (3 → 32, k × k, stride 2, ReLU) and {@code encoder.conv.1} (32 → 64, k × k, stride 2), k the
 * {@code kernel} setting (default 3; the shapes-vqa world's {@code shapes-vlm} uses 5): the 4 × 4
 * grid is 16 visual tokens of width 64, row by row, each with a 2-D position (a row embedding
 * {@code encoder.row} plus a column embedding {@code encoder.column}). Questions are word tokens
 * (the shared word tokenizer over the configured vocabulary: an unknown word is {@code <unk>}, not
 * an error) embedded by {@code encoder.token} plus a text position {@code encoder.position}. The
 * sequence is [CLS] ({@code encoder.cls}), the visual tokens, the question's tokens, any appended
 * embeddings (with the text positions that follow the question), then padding, which a key mask
 * hides from attention. Two pre-LN blocks {@code fusion.<i>} ({@code norm1}, 4-head self-attention
 * {@code attention.query/key/value/output}, {@code norm2}, GELU MLP {@code mlp.in}, {@code mlp.out})
 * follow, then {@code head.norm} and {@code head.answer} on the [CLS] state give the answer scores.
 *
 * <p><b>Layers.</b> {@code encoder} (the input sequence entering {@code fusion.0}), {@code fusion.0}
 * and {@code fusion.1} (each block's output) can carry forward hooks; a layer with no hook costs
 * one empty-list check.
 */
package org.lethe.models.vision;
