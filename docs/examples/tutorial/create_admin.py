from app import auth

auth.User.create_table(safe=True)  # make sure table created.
admin = auth.User(username="admin", email="", admin=True, active=True)
admin.set_password("admin")
admin.save()
