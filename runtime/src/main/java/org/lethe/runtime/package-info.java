/**
 * The launcher: starts an embedded Felix framework over a Lethe home folder ({@code bundle/},
 * {@code deploy/}, {@code etc/}, {@code data/}) as an interactive shell, as a service, or for one
 * shell command whose result decides the process exit status.
 */
package org.lethe.runtime;
