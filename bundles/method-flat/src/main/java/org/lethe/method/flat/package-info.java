/**
 * FLAT, forget-data-only loss adjustment (Wang et al., ICLR 2025; methods-llm.md §1.3): it needs
 * the forget set and a template answer per item, and never reads retain data. A leaf bundle.
 */
package org.lethe.method.flat;
