/**
 * Weights files shared by the built-in architectures: one safetensors file keyed by parameter name,
 * written atomically and read back into the existing parameter arrays.
 */
package org.lethe.models.weights;
