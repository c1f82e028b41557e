/**
 * Tab completion for the {@code unlearn:} commands in the interactive shell (Gogo JLine): the options of
 * each command are registered with Gogo's {@code complete} builtin from the commands' own declarations,
 * and arguments and option values (method, model, world, run and preset names, setting keys, files) are
 * computed when Tab is pressed, from the line typed so far.
 */
package org.lethe.shell.completion;
