/**
 * The text-to-image U-Net ({@value org.lethe.models.diffusion.TextToImageArchitecture#NAME}): a small
 * text-conditioned ε-prediction diffusion model with cross-attention, the generator of the shapes
 * world (research/methods-gen.md Part B §6), behind the
 * {@link org.lethe.api.model.diffusion.DiffusionModel} view; and its DDPM training
 * ({@link org.lethe.models.diffusion.DiffusionTraining}).
 *
 * <p><b>Text encoder</b> (CLIP-like, one pre-LN layer by default): word-level tokens over the
 * configured vocabulary (the {@code tiny-lm} tokenizer: markers {@code <pad> <unk> <sep> <eos>}),
 * then the end marker and padding up to {@code contextLength}; token and learned position
 * embeddings, causal self-attention, GELU MLP, final LayerNorm. Its output (batch, contextLength,
 * textWidth) is the condition; the empty prompt's encoding is the null condition of
 * classifier-free guidance. Any tensor of that shape can be fed as a condition.
 *
 * <p><b>U-Net</b> for {@code imageSize}² RGB (ε-prediction): {@code conv_in}; sinusoidal timestep
 * features → {@code time_embedding.linear_1/2}; {@code down_blocks.0} (ResNet block at full
 * resolution, stride-2 down-sampler), {@code down_blocks.1} (ResNet block, transformer, down-sampler),
 * {@code down_blocks.2} (ResNet block, transformer); {@code mid_block} (ResNet, transformer, ResNet);
 * {@code up_blocks.0} and {@code .1} (skip concatenation, ResNet block, transformer, nearest ×2 and
 * convolution), {@code up_blocks.2} (skip, ResNet block); {@code conv_norm_out}, {@code conv_out}.
 * ResNet blocks: GroupNorm, SiLU, 3×3 convolutions, the time embedding added through
 * {@code time_emb_proj}, a 1×1 {@code conv_shortcut} when the width changes. A transformer
 * ({@code attentions.0}): GroupNorm {@code norm}, {@code proj_in}, one
 * {@code transformer_blocks.0} with LayerNorm {@code norm1} + self-attention {@code attn1},
 * {@code norm2} + cross-attention {@code attn2} over the condition, {@code norm3} + GEGLU
 * feed-forward ({@code ff.net.0.proj}, {@code ff.net.2}), then {@code proj_out} and the residual.
 * Attention projections {@code to_q}, {@code to_k}, {@code to_v} have no bias, {@code to_out.0} has
 * one, as in Stable Diffusion.
 *
 * <p><b>Names.</b> Parameters are diffusers' module paths with the component as prefix and
 * {@code .weight}/{@code .bias} at the end, e.g.
 * {@code unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight} (shape (width,
 * textWidth), y = W·x) or {@code text_encoder.text_model.encoder.layers.0.self_attn.q_proj.weight}.
 * Linear weights are (out, in) and convolution weights (out, in, k, k), as in PyTorch, so the
 * safetensors file reads as a diffusers state dict would. Layers (for hooks and LoRA) are the same
 * paths without the suffix. Unlike Stable Diffusion 1.x, the full-resolution level has no
 * attention (research §6): the cross-attention layers are in {@code down_blocks.1/2},
 * {@code mid_block} and {@code up_blocks.0/1}.
 *
 * <p><b>Schedule and sampling.</b> DDPM's linear betas (1e-4 to 0.02 over T = 1000 by default);
 * DDIM (η = 0) over "trailing" timesteps, classifier-free guidance with the conditional and
 * unconditional halves in one batch, x̂_0 clipped to [−1, 1]; sampling can stop after k of n steps
 * and returns x_t with its timestep.
 */
package org.lethe.models.diffusion;
