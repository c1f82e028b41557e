/**
 * SAUCE, selective concept unlearning in vision-language models with sparse autoencoders (Li, Geng,
 * Zhu, Cai, Lyu, Karray, ICCV 2025; methods-gen.md §4, with ItD's TopK autoencoder and gating, §5):
 * a sparse autoencoder is trained on a layer's activations, the features of the erased concepts
 * are picked, and an inference-time edit of those features is committed as an intervention
 * attachment; no weight of the model changes. The bundle also registers the
 * {@link org.lethe.api.model.Intervention} service ({@code sae-feature-edit}) that installs the
 * edit whenever a version carrying it is loaded. A leaf bundle.
 */
package org.lethe.method.sauce;
