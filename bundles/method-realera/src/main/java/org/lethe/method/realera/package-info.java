/**
 * RealEra, "Semantic-level Concept Erasure via Neighbor-Concept Mining" (Liu et al., arXiv
 * 2410.09140; methods-gen.md §3, a reconstruction: the paper has no public code): mines
 * perturbed embeddings around the erased concept, edits the cross-attention key and value
 * projections in closed form and aligns the prediction noise with a LoRA. A leaf bundle.
 */
package org.lethe.method.realera;
