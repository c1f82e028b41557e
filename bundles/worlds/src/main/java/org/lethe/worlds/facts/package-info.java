/**
 * The data of the {@code facts} world ("TinyFacts", research/methods-llm.md §3.1): fictitious
 * people with single-token names and six single-token attributes, asked and stated under several
 * templates with per-entity held-out paraphrases; nested forget01/05/10 splits, retain, holdout
 * entities and world facts; perturbed and template answers; OFFSIDE-style rumours, RESTOR-style
 * corrupting documents, a sibling relation with two-hop questions and questions that presuppose a
 * fact. {@link org.lethe.worlds.facts.FactsGenerator} builds it from a seed,
 * {@link org.lethe.worlds.facts.FactsCorpusReader} reads a user's corpus folder instead, and both
 * give a {@link org.lethe.worlds.facts.FactsWorld}, which
 * {@link org.lethe.worlds.facts.FactsCorpusWriter} writes out in the JSONL contract of DESIGN §4.
 */
package org.lethe.worlds.facts;
