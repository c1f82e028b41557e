/**
 * Lethe's shell: the Gogo commands of scope {@code unlearn} an integrator wires methods, models, data
 * and runs with, interactively or one-shot from scripts ({@code bin/lethe unlearn:run ...}).
 *
 * <p>The bundle exports nothing. Its commands are DS components registered with the
 * {@code osgi.command.scope} and {@code osgi.command.function} properties; every command follows the
 * conventions of {@link org.lethe.shell.base} (see {@code docs/shell.md}).
 */
package org.lethe.shell;
