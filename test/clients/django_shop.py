#!/usr/bin/env python3
"""A second real client: a Django application (its ORM, its own cascades in
Python, its deferred foreign keys) that knows nothing about soft delete,
against PostgreSQL tables enabled with softdelete.

    django_shop.py DBNAME HOST PORT USER
"""
import os
import sys
import types

import django
from django.conf import settings

dbname, host, port, user = sys.argv[1:5]
# an installed app "shop" (this file), so that Django knows the relations
shop = types.ModuleType('shop')
shop.__file__ = os.path.abspath(__file__)
shop.__path__ = [os.path.dirname(shop.__file__)]
sys.modules['shop'] = shop
settings.configure(
    DATABASES={'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': dbname,
                           'HOST': host, 'PORT': port, 'USER': user}},
    INSTALLED_APPS=['shop'], USE_TZ=True, DEFAULT_AUTO_FIELD='django.db.models.AutoField')
django.setup()

from django.db import IntegrityError, connection, models, transaction  # noqa: E402


class Author(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = 'shop'


class Book(models.Model):
    title = models.CharField(max_length=50)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name='books')

    class Meta:
        app_label = 'shop'


with connection.cursor() as c:
    c.execute("DROP TABLE IF EXISTS shop_book, shop_author")
with connection.schema_editor() as editor:
    editor.create_model(Author)
    editor.create_model(Book)
# the one change to the application: the tables enabled, once, in SQL
with connection.cursor() as c:
    c.execute("SELECT softdelete.enable('shop_book'), softdelete.enable('shop_author')")

ann = Author.objects.create(name='ann')
bob = Author.objects.create(name='bob')
for t in ('a1', 'a2', 'a3'):
    Book.objects.create(title=t, author=ann)
Book.objects.create(title='b1', author=bob)

# Django's delete: it collects ann's books, deletes them, then ann
deleted, per_model = ann.delete()
assert deleted == 4, (deleted, per_model)
assert list(Author.objects.values_list('name', flat=True)) == ['bob']
assert list(Book.objects.order_by('title').values_list('title', flat=True)) == ['b1']
assert Book.objects.filter(author__name='ann').count() == 0
assert list(Author.objects.filter(books__title__startswith='a')) == []
# a queryset delete too
Book.objects.filter(title='b1').delete()
assert Book.objects.count() == 0

# nothing was lost
with connection.cursor() as c:
    c.execute("SET softdelete.include_deleted = on")
    c.execute("SELECT count(*), count(deleted_at) FROM shop_book")
    assert c.fetchone() == (4, 4)
    c.execute("RESET softdelete.include_deleted")

# restore ann, then her books
with connection.cursor() as c:
    c.execute("SELECT softdelete.restore('shop_author', %s)", ["name = 'ann'"])
    assert c.fetchone()[0] == 1
    c.execute("SELECT softdelete.restore('shop_book', %s)", ["title LIKE 'a%%'"])
    assert c.fetchone()[0] == 3
assert sorted(Author.objects.values_list('name', flat=True)) == ['ann', 'bob']
assert sorted(b.title for b in Author.objects.get(name='ann').books.all()) == ['a1', 'a2', 'a3']

# a new book of a deleted author is refused (Django's key is checked at commit)
bob_id = bob.id
bob.delete()        # (Django then clears bob.id)
try:
    with transaction.atomic():
        Book.objects.create(title='b2', author_id=bob_id)
    raise AssertionError('a book of a deleted author was accepted')
except IntegrityError as err:
    assert 'foreign key' in str(err), err
print("django: delete, cascade, queries and restore behave as soft delete")
