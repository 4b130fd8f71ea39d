package io.unitcell.cell.api;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The body of every error answer: what went wrong, in one sentence, and the cell's epoch. */
public record ApiError(int status, String error, Long epoch) {

  public static final String EPOCH_HEADER = "X-Unitcell-Epoch";

  public static Response response(int status, String error) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ApiError(status, error, null))
        .build();
  }

  /** 503 with {@code Retry-After}: a dependency is down or the cell is at a limit. */
  public static Response unavailable(String error) {
    return Response.status(503)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .header(HttpHeaders.RETRY_AFTER, 1)
        .entity(new ApiError(503, error, null))
        .build();
  }

  /** 421: this cell must not write this user's data; the router should refresh its table. */
  public static Response misdirected(long epoch, String error) {
    return Response.status(421)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .header(EPOCH_HEADER, epoch)
        .entity(new ApiError(421, error, epoch))
        .build();
  }
}
