// A Java client over JDBC (Debian's PostgreSQL driver) with server-side
// prepared statements from the first execution (prepareThreshold=1): the
// same prepared statement executed again and again, softdelete's setting
// changed between executions, follows the setting each time; so do a
// prepared DELETE, a prepared join and a batch.
//
//     java -cp /usr/share/java/postgresql.jar:. SoftDeleteJdbc 'jdbc:postgresql://127.0.0.1:port/db?user=u'
import java.sql.*;
import java.util.*;

public class SoftDeleteJdbc {
	static void check(String what, Object got, Object want) {
		if (!Objects.equals(got, want))
			throw new AssertionError(what + ": got " + got + ", want " + want);
	}

	static long count(PreparedStatement ps) throws SQLException {
		try (ResultSet rs = ps.executeQuery()) {
			rs.next();
			return rs.getLong(1);
		}
	}

	public static void main(String[] args) throws Exception {
		Properties props = new Properties();
		props.setProperty("prepareThreshold", "1");
		try (Connection c = DriverManager.getConnection(args[0], props)) {
			try (Statement s = c.createStatement()) {
				s.execute("DROP TABLE IF EXISTS jd_item, jd_box");
				s.execute("CREATE TABLE jd_box (id int PRIMARY KEY, deleted_at timestamptz)");
				s.execute("CREATE TABLE jd_item (id int PRIMARY KEY, box_id int REFERENCES jd_box ON DELETE CASCADE, removed boolean NOT NULL DEFAULT false)");
				s.execute("INSERT INTO jd_box SELECT g FROM generate_series(1, 10) g");
				s.execute("INSERT INTO jd_item SELECT g, 1 + g % 10 FROM generate_series(1, 100) g");
				s.execute("SELECT softdelete.enable('jd_item', 'removed'), softdelete.enable('jd_box')");
			}
			PreparedStatement boxes = c.prepareStatement("SELECT count(*) FROM jd_box");
			PreparedStatement items = c.prepareStatement("SELECT count(*) FROM jd_box b LEFT JOIN jd_item i ON i.box_id = b.id WHERE b.id <= ?");
			PreparedStatement del = c.prepareStatement("DELETE FROM jd_box WHERE id = ?");
			PreparedStatement set = c.prepareStatement("SELECT set_config('softdelete.include_deleted', ?, false)");

			// several executions first, so that the driver and the server
			// both use their named statement and a generic plan may be chosen
			for (int i = 0; i < 6; i++)
				check("boxes, execution " + i, count(boxes), 10L);
			items.setInt(1, 10);
			for (int i = 0; i < 6; i++)
				check("join, execution " + i, count(items), 100L);
			org.postgresql.PGStatement pg = boxes.unwrap(org.postgresql.PGStatement.class);
			check("server-side prepared", pg.isUseServerPrepare(), true);

			del.setInt(1, 1);
			check("prepared DELETE", del.executeUpdate(), 1);
			del.setInt(1, 2);
			check("prepared DELETE again", del.executeUpdate(), 1);
			del.setInt(1, 2);
			check("prepared DELETE of a deleted row", del.executeUpdate(), 0);
			// a batch of deletes
			for (int id = 3; id <= 4; id++) {
				del.setInt(1, id);
				del.addBatch();
			}
			int[] n = del.executeBatch();
			check("batch", Arrays.toString(n), "[1, 1]");

			String[] settings = {"off", "on", "only", "off", "only", "on", "off", "true", "false"};
			long[] wantBoxes = {6, 10, 4, 6, 4, 10, 6, 10, 6};
			for (int i = 0; i < settings.length; i++) {
				set.setString(1, settings[i]);
				set.executeQuery().close();
				check("boxes under " + settings[i], count(boxes), wantBoxes[i]);
			}
			// the join: boxes 1-4 are deleted with their items (the cascade)
			set.setString(1, "off");
			set.executeQuery().close();
			check("join, live", count(items), 60L);
			set.setString(1, "on");
			set.executeQuery().close();
			check("join, everything", count(items), 100L);
			set.setString(1, "only");
			set.executeQuery().close();
			check("join, deleted boxes and their deleted items", count(items), 40L);
			set.setString(1, "off");
			set.executeQuery().close();
			try (Statement s = c.createStatement()) {
				s.execute("SELECT softdelete.restore('jd_box')");
			}
			check("restored", count(boxes), 10L);
			check("join, restored", count(items), 100L);
		}
		System.out.println("jdbc: server-side prepared statements (prepareThreshold=1) follow include_deleted at every execution; prepared DELETE, batch, restore");
	}
}
