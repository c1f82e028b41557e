/**
 * ANT, "Set You Straight: Auto-Steering Denoising Trajectories to Sidestep Unwanted Concepts"
 * (Li, Lu, Ren, Kong; ACM MM 2025; methods-gen.md §2): erases a concept from a text-to-image
 * diffusion model by reversing its condition direction only in mid-to-late denoising while
 * keeping the early, layout-forming steps and the unconditional prediction. A leaf bundle.
 */
package org.lethe.method.ant;
