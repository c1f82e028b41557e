/**
 * IAU, influence approximation unlearning (Liu, Wu, Lian, Chen, arXiv 2507.23257; methods-llm.md
 * §1.4): removing the forget set becomes one incremental-learning step on ∇L_retain − ∇L_forget,
 * taken by a fresh Adam optimiser. A leaf bundle.
 */
package org.lethe.method.iau;
