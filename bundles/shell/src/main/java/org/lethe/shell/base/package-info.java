/**
 * The conventions every {@code unlearn:} command follows, in one small base: a command declares its
 * arguments and options once ({@link org.lethe.shell.base.CommandSpec}), and gets from that one
 * declaration its parsing (short and long options, repeatable options, {@code --}), its
 * {@code -h}/{@code --help} text, its completion, and its usage errors. Errors are
 * {@link org.lethe.api.LetheException}s whose {@code exitStatus()} the launcher turns into the
 * process exit status (DESIGN §5); long work is followed with {@link org.lethe.shell.base.RunFollower}.
 */
package org.lethe.shell.base;
