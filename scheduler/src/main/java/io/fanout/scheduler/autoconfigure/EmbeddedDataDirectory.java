package io.fanout.scheduler.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Makes the data directory private before the embedded database opens: on a POSIX file system the
 * directory is created {@code 0700} and the database file {@code 0600} (created empty, which H2 takes
 * as a new database, so that it never exists with the process's default permissions). An existing
 * database file loses any group and other permissions; an existing directory that others may enter
 * is left as the operator made it, with a warning.
 */
final class EmbeddedDataDirectory {

	private static final Log logger = LogFactory.getLog(EmbeddedDataDirectory.class);

	private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

	private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

	private static final Set<PosixFilePermission> GROUP_AND_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
			PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
			PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

	private EmbeddedDataDirectory() {
	}

	/** Prepares {@code dataDir} and the database file {@code <name>.mv.db} in it. */
	static void prepare(Path dataDir, String databaseName) {
		Path directory = dataDir.toAbsolutePath().normalize();
		Path file = directory.resolve(databaseName + ".mv.db");
		try {
			if (!posix(directory)) {
				Files.createDirectories(directory);
				return;
			}
			if (Files.isDirectory(directory)) {
				Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
				if (permissions.stream().anyMatch(GROUP_AND_OTHERS::contains)) {
					logger.warn("The data directory " + directory + " is "
							+ PosixFilePermissions.toString(permissions)
							+ ": other users may reach the database in it; make it rwx------ (chmod 700)");
				}
			}
			else {
				Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
				// The attribute is subject to the umask, which can only take permissions away.
				Files.setPosixFilePermissions(directory, OWNER_ONLY_DIRECTORY);
			}
			try {
				Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
			}
			catch (FileAlreadyExistsException ex) {
				Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(file));
				if (permissions.removeAll(GROUP_AND_OTHERS)) {
					Files.setPosixFilePermissions(file, permissions);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not prepare the data directory " + directory, ex);
		}
	}

	private static boolean posix(Path directory) throws IOException {
		Path existing = directory;
		while (existing != null && !Files.exists(existing)) {
			existing = existing.getParent();
		}
		return existing != null && Files.getFileStore(existing).supportsFileAttributeView(PosixFileAttributeView.class);
	}

}
