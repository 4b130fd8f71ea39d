package io.unitcell.cell.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientException;
import org.hibernate.exception.JDBCConnectionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Unexpected failures become clear answers: the database (vtgate, a shard) unreachable or too slow
 * is a fast {@code 503} with {@code Retry-After}, never a fake success; anything else is a logged
 * {@code 500}.
 */
public class FailureMapper {

  private static final Logger LOG = Logger.getLogger(FailureMapper.class);

  @ServerExceptionMapper
  public Response map(RuntimeException e) {
    if (e instanceof WebApplicationException web) {
      return web.getResponse();
    }
    if (databaseUnavailable(e)) {
      LOG.warnf("database unavailable: %s", rootMessage(e));
      return Response.status(503)
          .type(MediaType.APPLICATION_JSON_TYPE)
          .header(HttpHeaders.RETRY_AFTER, 1)
          .entity(new ApiError(503, "the order database is unavailable; retry shortly", null))
          .build();
    }
    LOG.error("unexpected failure", e);
    return ApiError.response(500, "internal error");
  }

  static boolean databaseUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLNonTransientConnectionException
          || t instanceof SQLTransientException
          || t instanceof JDBCConnectionException
          // Connector/J's lost-connection exceptions (com.mysql.cj...CommunicationsException)
          || t.getClass().getName().endsWith("CommunicationsException")
          || (t instanceof SQLException sql && "08S01".equals(sql.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
