/**
 * The {@code unlearn:} commands, one class per verb, each a DS component registered with
 * {@code @GogoCommand(scope = "unlearn", function = "<verb>")} and written in the conventions of
 * {@link org.lethe.shell.base} (docs/shell.md).
 */
package org.lethe.shell.commands;
