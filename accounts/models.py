from oscar.apps.customer.abstract_models import AbstractUser


class User(AbstractUser):
    """The one user model for shoppers, staff and consultants.

    Oscar's abstract user: no username, the e-mail address is the login identifier
    (``USERNAME_FIELD = "email"``), unique case-insensitively through Oscar's manager.
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = "user"
        verbose_name_plural = "users"
