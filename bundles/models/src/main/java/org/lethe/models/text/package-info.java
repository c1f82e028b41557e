/** Text handling shared by the word-level language-model architectures. */
package org.lethe.models.text;
