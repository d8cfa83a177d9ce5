package dev.partitionkeeper.activities.postgres;

/** The role lacks a grant a step needs; found before PostgreSQL refused anything. Not retried. */
public class PrivilegeException extends RuntimeException {
    public PrivilegeException(String message) {
        super(message);
    }
}
