/**
 * ESD, Erased Stable Diffusion (Gandikota et al., ICCV 2023; methods-gen.md §1): fine-tunes a
 * text-to-image diffusion model so that its prediction for an erased concept becomes the frozen
 * original's negatively guided prediction. ESD-x trains the U-Net's cross-attention, ESD-u the
 * rest of the U-Net. It needs the concepts to erase and the model's reference copy, and reads no
 * preserve set. A leaf bundle.
 */
package org.lethe.method.esd;
