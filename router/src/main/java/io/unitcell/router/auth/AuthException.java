package io.unitcell.router.auth;

/** A request whose identity cannot be established; the message is the reason given with the 401. */
public final class AuthException extends Exception {
  public AuthException(String reason) {
    super(reason, null, false, false);
  }
}
