/**
 * The tiny test language model: a fixed-context neural language model (Bengio et al., 2003) small
 * enough to train in seconds on a CPU, used by the conformance kit and by unit tests before any
 * world exists. It is a real causal language model with answer-only scoring, not a stand-in.
 */
package org.lethe.models.tiny;
