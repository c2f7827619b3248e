package io.fanout.scheduler.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The embedded database's directory is the owner's alone ({@code 0700}) and its file is never
 * readable by others ({@code 0600}), from before H2 first writes it; on POSIX file systems.
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedDataDirectoryTests {

	@TempDir
	Path temporary;

	@BeforeEach
	void posixOnly() throws IOException {
		assumeTrue(Files.getFileStore(this.temporary).supportsFileAttributeView(PosixFileAttributeView.class));
	}

	@Test
	void aNewDataDirectoryAndItsDatabaseFileAreTheOwnersAlone() throws IOException {
		Path data = this.temporary.resolve("var/fanout/data");

		EmbeddedDataDirectory.prepare(data, "fanout");

		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("fanout.mv.db"))))
			.isEqualTo("rw-------");
	}

	@Test
	void h2UsesThePreparedFileAndItStaysPrivate() throws Exception {
		Path data = this.temporary.resolve("data");
		EmbeddedDataDirectory.prepare(data, "fanout");
		String url = "jdbc:h2:file:" + data.resolve("fanout") + ";WRITE_DELAY=0";

		try (Connection connection = DriverManager.getConnection(url, "sa", "");
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE t (v INT)");
			statement.execute("INSERT INTO t VALUES (42)");
		}
		EmbeddedDataDirectory.prepare(data, "fanout");
		try (Connection connection = DriverManager.getConnection(url, "sa", "");
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT v FROM t")) {
			assertThat(rows.next()).isTrue();
			assertThat(rows.getInt(1)).isEqualTo(42);
			statement.execute("SHUTDOWN");
		}

		assertThat(Files.size(data.resolve("fanout.mv.db"))).isPositive();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("fanout.mv.db"))))
			.isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
	}

	@Test
	void anExistingDatabaseFileLosesGroupAndOtherPermissions() throws IOException {
		Path data = Files.createDirectories(this.temporary.resolve("data"));
		Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
		Path file = Files.createFile(data.resolve("fanout.mv.db"));
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));

		EmbeddedDataDirectory.prepare(data, "fanout");

		assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
				PosixFilePermission.OWNER_WRITE);
	}

	@Test
	void anExistingDirectoryOthersMayEnterIsLeftAsItIsWithAWarning(CapturedOutput output) throws IOException {
		Path data = Files.createDirectories(this.temporary.resolve("shared"));
		Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));

		EmbeddedDataDirectory.prepare(data, "fanout");

		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwxr-xr-x");
		assertThat(output.getAll()).contains("The data directory " + data + " is rwxr-xr-x: other users may reach "
				+ "the database in it; make it rwx------ (chmod 700)");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("fanout.mv.db"))))
			.isEqualTo("rw-------");
	}

}
