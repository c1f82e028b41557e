/**
 * The core's data service: {@link org.lethe.core.data.JsonlDataService} reads and writes the JSONL
 * files of DESIGN §4 (question–answer items, documents, concepts) with bounded memory, validates a
 * file whole before returning anything, names the file, line and field of every error, and writes
 * atomically. Internal to the core bundle (not exported); other bundles use the API's
 * {@link org.lethe.api.data.DataService}.
 */
package org.lethe.core.data;
