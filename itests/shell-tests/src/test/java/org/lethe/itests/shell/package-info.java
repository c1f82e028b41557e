/**
 * The shell as a person uses it: {@code bin/lethe unlearn:...} as a process and from a script
 * ({@link org.lethe.itests.shell.OneShotCliIT}), and the interactive shell in a real terminal driven
 * through tmux ({@link org.lethe.itests.shell.TerminalIT}).
 */
package org.lethe.itests.shell;
